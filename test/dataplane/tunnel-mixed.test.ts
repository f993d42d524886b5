// The tunnel scenarios with A native and B reference: every packet checks the two agree on the wire.
import { runTunnelScenarios } from './fixtures/tunnel-scenarios.js';

runTunnelScenarios('native', 'reference', { crafted: false });
