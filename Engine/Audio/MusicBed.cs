using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Audio;

/// <summary>
/// The story's audio, produced block by block in step with the video: the background music
/// looped for the whole length at its gain, or silence. Blocks are written into caller
/// buffers, so a long video never holds its whole soundtrack in memory.
/// </summary>
internal sealed class MusicBed : IDisposable
{
    private readonly AudioDecoder? _music;
    private readonly float _gain;
    private bool _loopedEmpty;

    public MusicBed(AudioPlan plan)
    {
        if (plan.Enabled && plan.MusicPath is not null)
        {
            _music = new AudioDecoder(plan.MusicPath, AudioPlan.SampleRate);
            _gain = (float)plan.MusicGain;
        }
    }

    public bool HasMusic => _music is not null;

    /// <summary>Writes exactly <c>left.Length</c> samples.</summary>
    public void Fill(Span<float> left, Span<float> right)
    {
        if (_music is null)
        {
            left.Clear();
            right.Clear();
            return;
        }
        int done = 0;
        while (done < left.Length)
        {
            int n = _music.Read(left[done..], right[done..]);
            done += n;
            if (done < left.Length)
            {
                if (n == 0 && _loopedEmpty)
                {
                    // A file that yields no samples at all: pad with silence instead of spinning.
                    left[done..].Clear();
                    right[done..].Clear();
                    break;
                }
                _loopedEmpty = n == 0;
                _music.Rewind();
            }
            else
            {
                _loopedEmpty = false;
            }
        }
        if (_gain != 1f)
        {
            Scale(left, _gain);
            Scale(right, _gain);
        }
    }

    private static void Scale(Span<float> s, float g)
    {
        for (int i = 0; i < s.Length; i++) s[i] *= g;
    }

    public void Dispose() => _music?.Dispose();
}
