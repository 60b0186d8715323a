import { optionScenarios } from '../../ipc/test/scenarios/options.js';
import { transport } from './transport.js';

optionScenarios(transport);
