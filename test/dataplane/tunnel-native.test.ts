// The tunnel scenarios (fixtures/tunnel-scenarios.ts) on the native data plane, both sides.
import { runTunnelScenarios } from './fixtures/tunnel-scenarios.js';

runTunnelScenarios('native', 'native');
