// Types of reelspeed-engine/cluster: one render spread over BullMQ workers on Redis.
import type { Config } from './index';
import type { ProcessResult, Progress } from './results';

/** A redis:// URL, or ioredis connection options. */
export type RedisConnection = string | { host?: string; port?: number; username?: string; password?: string; db?: number; [option: string]: unknown };

export interface RenderDistributedOptions {
  connection: RedisConnection;
  /** A folder every worker and this process see (a network filesystem across machines); segments travel through it. */
  sharedDirectory: string;
  /** Frames per chunk (default 300: 10 s at 30 fps). */
  chunkFrames?: number;
  /** The BullMQ queue the workers listen on (default "reelspeed"); the soundtrack job goes on "<queueName>.audio". */
  queueName?: string;
  /** Aggregated over all chunks, then the stitch; `percent` never goes back. */
  onProgress?: (progress: Progress) => void;
  /** Aborting removes the queued chunks and the partial segments, and rejects with ERR_ABORTED. */
  signal?: AbortSignal;
  /** Where relative paths (the output, the config's files) resolve. */
  baseDir?: string;
}

/** One chunk of a distributed render, as its worker reported it. */
export interface ChunkTiming {
  index: number;
  startFrame: number;
  endFrame: number;
  frames: number;
  /** The engine's time for the chunk. */
  wallMs: number;
  renderFps: number;
  reusedFrames: number;
  /** The engine's stage times for the chunk. */
  stages: { renderMs: number; convertMs: number; encodeMs: number; audioMs: number; muxMs: number };
  /** How x264 ran its threads for the chunk (see ChunkResult); absent from a worker of an older version. */
  x264Threads?: 'frames' | 'slices';
  /** renderChunk's warnings (see ChunkResult); absent from a worker of an older version. */
  warnings?: string[];
  /** The job's time on the worker (the engine's plus the queue's overhead). */
  jobMs: number;
  /** The worker's name (host:pid by default). */
  worker: string;
  /** Which attempt rendered it. */
  attempt: number;
  /** How many times a worker holding it stopped (was killed) before it completed. */
  stalled: number;
}

/** processVideo's result for the stitched file, plus where the time went. */
export interface DistributedResult extends ProcessResult {
  chunks: ChunkTiming[];
  audioJob: { wallMs: number; worker: string };
  stitch: { wallMs: number; worker: string };
}

export declare function renderDistributed(config: Config, outputPath: string, options: RenderDistributedOptions): Promise<DistributedResult>;

export interface WorkerOptions {
  connection: RedisConnection;
  /** This machine's path to the shared folder. */
  sharedDirectory: string;
  /** Jobs this worker runs at once (default 1). */
  concurrency?: number;
  /** The engine's temp folder (a fast local disk); finished segments are still renamed into place. */
  tempDirectory?: string;
  /**
   * The worker engine's memoryLimitMb (VideoEngine's option): its chunks are admitted under it, a chunk that fits only with
   * x264's slice threads rendered with them (the chunk's warning reaches renderDistributed's metadata.warnings).
   */
  memoryLimitMb?: number;
  /** The worker engine's x264Threads (VideoEngine's option). Chunks made with slice threads and with frame threads join. */
  x264Threads?: 'auto' | 'frames' | 'slices';
  queueName?: string;
  /** BullMQ's lock on a running job, ms (default 30000): a worker that dies loses its job after this. */
  lockDuration?: number;
  /** How often workers look for stalled jobs, ms (default 30000). */
  stalledInterval?: number;
  /** How many times a job may stall before it fails (default 1). */
  maxStalledCount?: number;
  /** The worker's name in chunk timings (default host:pid). */
  name?: string;
}

export interface ClusterWorker {
  readonly name: string;
  readonly queueName: string;
  /** The BullMQ Worker. */
  readonly worker: unknown;
  /** Stops taking jobs, lets running ones finish, disconnects. */
  close(): Promise<void>;
}

export declare function createWorker(options: WorkerOptions): Promise<ClusterWorker>;

/** What renderChunk resolves with. */
export interface ChunkResult {
  outputPath: string;
  fileSize: number;
  startFrame: number;
  endFrame: number;
  frames: number;
  encoder: string;
  /** How libx264 ran its threads: on several frames at once, or on slices of one frame (the worker's x264Threads, or its memoryLimitMb). */
  x264Threads: 'frames' | 'slices';
  wallMs: number;
  renderFps: number;
  reusedFrames: number;
  stages: { renderMs: number; convertMs: number; encodeMs: number; audioMs: number; muxMs: number };
  /**
   * Where the chunk fitted the engine's memoryLimitMb only with x264's threads on slices of one frame, a warning saying so
   * (starts with "memoryLimitMb: "); such chunks join the others as any do. Slice threads that the worker's x264Threads
   * chose are not warned about.
   */
  warnings: string[];
}

/** What stitch resolves with. */
export interface StitchResult {
  outputPath: string;
  fileSize: number;
  frames: number;
  durationMs: number;
  segments: number;
  audioPackets: number;
  wallMs: number;
}

export interface ChunkOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  baseDir?: string;
}

export interface StitchOptions {
  signal?: AbortSignal;
  baseDir?: string;
}
