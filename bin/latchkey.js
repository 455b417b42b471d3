#!/usr/bin/env node
// `npx latchkey <command>`: the management CLI (see `npx latchkey --help`).
'use strict';
const { runCli } = require('../dist/cli/main.js');

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
