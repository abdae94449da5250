// Renders a short chat story and probes the result: the container's smoke test.
const fs = require('node:fs');
const path = require('node:path');
const { processVideo, getVideoMetadata } = require('reelspeed-engine');

const output = process.argv[2] || 'story.mp4';
fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });

const config = {
  videoSettings: { resolution: '1080x1920', fps: 30 },
  template: 'imessage',
  animationSettings: { messageAnimationType: 'pop', baseDelay: 300, messageDelay: 300 },
  messages: [
    { text: 'you up? 👀', sender: 'them', audioDuration: 1.0 },
    { text: 'always. rendering videos in a container 🐳', sender: 'me', audioDuration: 1.2 },
  ],
};

processVideo('', output, config, { onProgress: (p) => process.stdout.write(`\r${p.percent.toFixed(0)}%`) })
  .then(async (result) => {
    const info = await getVideoMetadata(result.outputPath);
    console.log(`\n${result.outputPath}: ${info.duration.toFixed(2)} s, ${result.fileSize} bytes, ${result.metadata.encoder}`);
  })
  .catch((e) => {
    console.error(`${e.code}: ${e.message}`);
    process.exit(1);
  });
