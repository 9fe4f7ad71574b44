// Fails the run on any unhandled rejection or uncaught exception anywhere (issue 8).
const problems = [];
process.on('unhandledRejection', (reason) => problems.push(`unhandled rejection: ${reason && reason.stack ? reason.stack : reason}`));
process.on('uncaughtException', (error) => problems.push(`uncaught exception: ${error && error.stack ? error.stack : error}`));

exports.mochaHooks = {
  afterEach() {
    if (problems.length > 0) {
      const found = problems.splice(0);
      throw new Error(`the process saw ${found.length} unhandled problem(s):\n${found.join('\n')}`);
    }
  },
};
