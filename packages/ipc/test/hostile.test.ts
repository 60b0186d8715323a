import { hostileScenarios } from './scenarios/hostile.js';
import { transport } from './transport.js';

hostileScenarios(transport);
