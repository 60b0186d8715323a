import {
  ensureRedisInstalled,
  type RedisCluster,
  type RedisServer,
  startRedisCluster,
  startRedisServer,
} from '@statewire/test-redis-server';
import type { TestProject } from 'vitest/node';

/**
 * Starts the shared servers once per run and hands their addresses to the tests through
 * `provide`: a standalone server (unless REDIS_URL points at one), a 3-master Redis Cluster,
 * and an AOF (`appendfsync always`) server for durability tests. Stops them afterwards, also
 * when setting up failed half-way.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureRedisInstalled();
  const started: (RedisServer | RedisCluster)[] = [];
  const teardown = async (): Promise<void> => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  try {
    let standaloneUrl = process.env.REDIS_URL;
    if (!standaloneUrl) {
      const standalone = await startRedisServer();
      started.push(standalone);
      standaloneUrl = standalone.url;
    }
    const cluster = await startRedisCluster(3);
    started.push(cluster);
    const aof = await startRedisServer({ aof: true });
    started.push(aof);
    project.provide('redisUrl', standaloneUrl);
    project.provide(
      'clusterNodes',
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    project.provide('aofServer', {
      url: aof.url,
      port: aof.port,
      dir: aof.dir,
      config: aof.config,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
