export { buildPackage } from './build-package.js';
export { type Reply, type SendRequestOptions, sendRequest } from './http-request.js';
export { type StandaloneRedis, startStandaloneRedis } from './standalone-redis.js';
