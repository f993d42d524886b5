// The tunnel scenarios (fixtures/tunnel-scenarios.ts) on the reference data plane, both sides.
import { runTunnelScenarios } from './fixtures/tunnel-scenarios.js';

runTunnelScenarios('reference', 'reference');
