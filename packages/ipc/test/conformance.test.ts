import { conformanceScenarios } from './scenarios/conformance.js';
import { transport } from './transport.js';

conformanceScenarios(transport);
