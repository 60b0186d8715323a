import { describeIntegrations } from './integrations.js';
import { describeDemo } from './scenarios.js';

describeDemo('ipc', () => ({}));
describeDemo('ipc-msgpack', () => ({}));
describeIntegrations('ipc', () => ({}));
