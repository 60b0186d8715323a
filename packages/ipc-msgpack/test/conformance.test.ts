import { conformanceScenarios } from '../../ipc/test/scenarios/conformance.js';
import { transport } from './transport.js';

conformanceScenarios(transport);
