import { createServer } from 'node:net';

/**
 * One line naming the port and the fix, for an error of `listen(port)`: what the primary
 * prints when the port cannot be used, and what a worker reports with `exitFatal()`.
 */
export function describeListenError(port: number, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use: stop the program that uses it (\`lsof -i :${port}\` names it) or choose another port, e.g. PORT=${port === 3000 ? 3001 : 3000} npm start`;
    case 'EACCES':
      return `port ${port} needs privileges this user does not have: choose a port above 1023, e.g. PORT=3000 npm start`;
    default:
      return `cannot listen on port ${port} (${error.code ?? error.message}): choose another port, e.g. PORT=3000 npm start`;
  }
}

/**
 * Binds `port` as the workers will (every interface) and releases it at once, so that a
 * port nobody can use stops the demo before any worker is forked instead of in every
 * worker. Resolves the problem in one line, or `undefined` when the port is usable.
 */
export function checkPort(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      resolve(describeListenError(port, error)),
    );
    probe.listen(port, () => probe.close(() => resolve(undefined)));
  });
}
