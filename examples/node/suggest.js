#!/usr/bin/env node
// A platform's side of VmNet's bus, in Node.js with amqplib (`npm ci` here first).
//
//   node suggest.js upload SOURCE [--kind video] [--no-wait]   publish an IngestRequested, then wait for its suggestion
//   node suggest.js receive CORRELATION_ID                      read the platform's queue until that suggestion arrives
//
// Options: --rabbitmq URI (default $VMNET_RABBITMQ or amqp://guest:guest@localhost:5672/), --queue NAME (the
// platform's durable queue), --timeout SECONDS. The queue is bound before anything is published, so a suggestion
// that arrives while this script is not running waits there. Prints the suggestion (the record inside MassTransit's
// envelope) as one JSON line on stdout; everything else goes to stderr.
'use strict';
const amqp = require('amqplib');
const { randomUUID } = require('node:crypto');

const ENVELOPE = 'application/vnd.masstransit+json';
const REQUESTS = 'VmNet.Contracts:IngestRequested';
const ANSWERS = 'VmNet.Contracts:SoundtrackSuggested';
const KINDS = { pair: 0, video: 1, music: 2 }; // MediaKind goes over the wire as a number

function parse(argv) {
  const args = {
    rabbitmq: process.env.VMNET_RABBITMQ || 'amqp://guest:guest@localhost:5672/',
    queue: 'myplatform-soundtrack-suggested', timeout: 300, kind: 'video', wait: true, rest: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rabbitmq') args.rabbitmq = argv[++i];
    else if (a === '--queue') args.queue = argv[++i];
    else if (a === '--timeout') args.timeout = Number(argv[++i]);
    else if (a === '--kind') args.kind = argv[++i];
    else if (a === '--no-wait') args.wait = false;
    else args.rest.push(a);
  }
  const [command, value] = args.rest;
  if (!['upload', 'receive'].includes(command) || !value || !(args.kind in KINDS)) {
    console.error('usage: node suggest.js upload SOURCE [--kind video] [--no-wait] | receive CORRELATION_ID');
    process.exit(2);
  }
  return { ...args, command, value };
}

function upload(channel, source, kind) {
  const correlationId = randomUUID();
  const now = new Date().toISOString();
  const envelope = {
    messageId: randomUUID(),
    correlationId,
    messageType: ['urn:message:VmNet.Contracts:IngestRequested'],
    message: { correlationId, source, kind: KINDS[kind], requestedAt: now },
    sentTime: now,
  };
  channel.publish(REQUESTS, '', Buffer.from(JSON.stringify(envelope)),
    { contentType: ENVELOPE, persistent: true, messageId: envelope.messageId });
  console.error(`published IngestRequested ${correlationId} for ${source}`);
  return correlationId;
}

function receive(channel, queue, correlationId, timeoutSeconds) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no suggestion for ${correlationId} within ${timeoutSeconds} s`)), timeoutSeconds * 1000);
    channel.consume(queue, (delivery) => {
      const suggestion = JSON.parse(delivery.content.toString()).message;
      channel.ack(delivery);
      if (suggestion.correlationId === correlationId) {
        clearTimeout(timer);
        resolve(suggestion);
      } else {
        console.error(`a suggestion for another upload: ${suggestion.correlationId}`);
      }
    });
  });
}

async function main() {
  const args = parse(process.argv.slice(2));
  const connection = await amqp.connect(args.rabbitmq);
  try {
    const channel = await connection.createConfirmChannel();
    // Declared with MassTransit's own settings (fanout, durable), so it does not matter who comes first.
    for (const exchange of [REQUESTS, ANSWERS]) await channel.assertExchange(exchange, 'fanout', { durable: true });
    await channel.assertQueue(args.queue, { durable: true });
    await channel.bindQueue(args.queue, ANSWERS, '');
    let correlationId = args.value;
    if (args.command === 'upload') {
      correlationId = upload(channel, args.value, args.kind);
      await channel.waitForConfirms();
      if (!args.wait) {
        console.log(JSON.stringify({ correlationId }));
        return;
      }
    }
    console.log(JSON.stringify(await receive(channel, args.queue, correlationId, args.timeout)));
  } finally {
    await connection.close();
  }
}

main().catch((e) => { console.error(`suggest.js: ${e.message}`); process.exit(1); });
