// Loaded with `node --import` before anything else (npm scripts): plain JavaScript, so that an
// older Node, which cannot load the .ts files, still reads it and says what to install in one
// line instead of failing on ERR_UNKNOWN_FILE_EXTENSION with a stack trace.
const REQUIRED = [22, 18];
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  process.stderr.write(
    `Maillage needs Node.js ${REQUIRED.join(".")} or newer (24 LTS recommended); ` +
      `this is Node.js ${process.versions.node}. Install a newer Node.js, then run the command again.\n`,
  );
  process.exit(1);
}
