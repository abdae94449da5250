// ESM entry of reelspeed-engine/cluster (see index.js).
import cluster from './index.js';

export const { renderDistributed, createWorker } = cluster;
export default cluster;
