// ESM entry of reelspeed-engine/integration (see integration.js).
import integration from './integration.js';

export const { ReelSpeedIntegration, RustVideoEngine, SPEC_ENGINE_OPTIONS } = integration;
export default integration;
