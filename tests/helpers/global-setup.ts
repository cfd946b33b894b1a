// Runs once before the suite: says which Node runs it (the tests, and the server processes they
// start with process.execPath or `node` from PATH). tests/unit/project/runtime.test.ts checks that it
// is the version package.json's engines names.
export default function setup(): void {
  console.log(`tests run on Node ${process.version} (${process.execPath})`);
}
