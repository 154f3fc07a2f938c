// Decode VietQR payloads with the npm package vietnam-qr-pay, an independent implementation.
// stdin: one JSON string (a payload) per line; stdout: one JSON object per line with what
// vietnam-qr-pay read. Used by tests/vietqr/test_node_crosscheck.py.
'use strict';

const readline = require('node:readline');
const { QRPay } = require('vietnam-qr-pay');

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const qr = new QRPay(JSON.parse(line));
  process.stdout.write(JSON.stringify({
    isValid: qr.isValid,
    bankBin: qr.consumer?.bankBin ?? null,
    bankNumber: qr.consumer?.bankNumber ?? null,
    amount: qr.amount ?? null,
    initMethod: qr.initMethod ?? null,
    service: qr.provider?.service ?? null,
    purpose: qr.additionalData?.purpose ?? null,
  }) + '\n');
});
