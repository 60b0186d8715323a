import { hostileScenarios } from '../../ipc/test/scenarios/hostile.js';
import { transport } from './transport.js';

hostileScenarios(transport);
