// Fails the run on any unhandled rejection or uncaught exception anywhere (issue 8).
const problems = [];
process.on('unhandledRejection', (reason) => problems.push(`unhandled rejection: ${reason && reason.stack ? reason.stack : reason}`));
process.on('uncaughtException', (error) => problems.push(`uncaught exception: ${error && error.stack ? error.stack : error}`));

function check() {
  if (problems.length > 0) {
    const found = problems.splice(0);
    throw new Error(`the process saw ${found.length} unhandled problem(s):\n${found.join('\n')}`);
  }
}

exports.mochaHooks = {
  afterEach: check,
  // Late ones (after the last test's own hooks) fail the run too.
  afterAll(done) {
    setTimeout(() => {
      try {
        check();
        done();
      } catch (error) {
        done(error);
      }
    }, 50);
  },
};
