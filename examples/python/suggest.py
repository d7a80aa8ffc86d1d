#!/usr/bin/env python3
"""A platform's side of VmNet's bus, in Python with pika (Debian: python3-pika).

  suggest.py upload SOURCE [--kind video] [--no-wait]   publish an IngestRequested, then wait for its suggestion
  suggest.py receive CORRELATION_ID                      read the platform's queue until that suggestion arrives

The platform's durable queue is bound to the SoundtrackSuggested exchange before anything is published, so a
suggestion that arrives while this script is not running waits in the queue. Prints the suggestion (the record
inside MassTransit's envelope) as one JSON line on stdout; everything else goes to stderr.
"""
import argparse, datetime, json, os, sys, uuid
import pika

ENVELOPE = "application/vnd.masstransit+json"
REQUESTS = "VmNet.Contracts:IngestRequested"
ANSWERS = "VmNet.Contracts:SoundtrackSuggested"
KINDS = {"pair": 0, "video": 1, "music": 2}  # MediaKind goes over the wire as a number


def connect(args):
    connection = pika.BlockingConnection(pika.URLParameters(args.rabbitmq))
    channel = connection.channel()
    channel.confirm_delivery()  # basic_publish returns once the broker has the request
    # Declared with MassTransit's own settings (fanout, durable), so it does not matter who comes first.
    for exchange in (REQUESTS, ANSWERS):
        channel.exchange_declare(exchange, exchange_type="fanout", durable=True)
    channel.queue_declare(args.queue, durable=True)
    channel.queue_bind(args.queue, ANSWERS)
    return connection, channel


def upload(args, channel):
    correlation_id = str(uuid.uuid4())
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    envelope = {
        "messageId": str(uuid.uuid4()),
        "correlationId": correlation_id,
        "messageType": ["urn:message:VmNet.Contracts:IngestRequested"],
        "message": {"correlationId": correlation_id, "source": args.source, "kind": KINDS[args.kind], "requestedAt": now},
        "sentTime": now,
    }
    channel.basic_publish(REQUESTS, "", json.dumps(envelope).encode(),
                          pika.BasicProperties(content_type=ENVELOPE, delivery_mode=2, message_id=envelope["messageId"]))
    print(f"published IngestRequested {correlation_id} for {args.source}", file=sys.stderr)
    return correlation_id


def receive(args, channel, correlation_id):
    for method, _, body in channel.consume(args.queue, inactivity_timeout=args.timeout):
        if method is None:
            sys.exit(f"no suggestion for {correlation_id} within {args.timeout} s")
        suggestion = json.loads(body)["message"]
        channel.basic_ack(method.delivery_tag)
        if suggestion["correlationId"] == correlation_id:
            print(json.dumps(suggestion))
            return
        print(f"a suggestion for another upload: {suggestion['correlationId']}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rabbitmq", default=os.environ.get("VMNET_RABBITMQ", "amqp://guest:guest@localhost:5672/"))
    parser.add_argument("--queue", default="myplatform-soundtrack-suggested", help="the platform's durable queue")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the suggestion")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upload")
    up.add_argument("source", help="a YouTube id, an http(s) URL, or a path inside ingest's media roots")
    up.add_argument("--kind", default="video", choices=list(KINDS))
    up.add_argument("--no-wait", action="store_true", help="publish and exit; `receive` picks the answer up later")
    rec = commands.add_parser("receive")
    rec.add_argument("correlation_id")
    args = parser.parse_args()

    connection, channel = connect(args)
    try:
        if args.command == "upload":
            correlation_id = upload(args, channel)
            if args.no_wait:
                print(json.dumps({"correlationId": correlation_id}))
                return
        else:
            correlation_id = args.correlation_id
        receive(args, channel, correlation_id)
    finally:
        connection.close()


if __name__ == "__main__":
    main()
