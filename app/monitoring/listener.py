"""`flask monitoring listen --port N`: the TCP server 数采仪 connect to (HJ 212-2017 over a socket).

Each CRLF-terminated packet goes through the same parser, authentication and store as the HTTP endpoint
and is committed on its own; where the packet's Flag asks for an answer (bit A) and it was accepted, the
server replies with the standard's 数据应答 (CN=9014). A refused packet gets no answer, so the device keeps
it and sends it again. One thread per connection, a bounded number of connections, an idle timeout.
"""
import logging
import socketserver
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.monitoring.ingest import Batch

log = logging.getLogger(__name__)
MAX_LINE = 16 * 1024          # a packet is at most ## + 4 + 9999 + 4 + CRLF
IDLE_SECONDS = 600
MAX_CONNECTIONS = 1000

monitoring_cli = AppGroup("monitoring", help="在线监测")


class PacketHandler(socketserver.StreamRequestHandler):
    timeout = IDLE_SECONDS

    def handle(self):
        server: HJ212Server = self.server  # type: ignore[assignment]
        if not server.slots.acquire(blocking=False):
            return  # too many connections: close at once, the device retries later
        try:
            with server.app.app_context():
                while True:
                    try:
                        line = self.rfile.readline(MAX_LINE + 1)
                    except OSError:
                        break
                    if not line:
                        break
                    if len(line) > MAX_LINE and not line.endswith(b"\n"):
                        log.warning("HJ 212 line over %d bytes from %s; connection closed", MAX_LINE,
                                    self.client_address[0])
                        break
                    text = line.decode("ascii", errors="replace").strip("\r\n")
                    if not text.strip():
                        continue
                    for reply in self._process(Batch("tcp"), text):  # limits re-read: a device stays connected
                        self.wfile.write(reply.encode("ascii"))
                    self.wfile.flush()
                db.session.remove()
        finally:
            server.slots.release()

    def _process(self, batch: Batch, text: str) -> list[str]:
        try:
            outcomes = batch.ingest_text(text)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("HJ 212 packet from %s not stored", self.client_address[0])
            return []
        for outcome in outcomes:
            if outcome.status == "refused":
                log.info("HJ 212 packet from %s refused: %s %s", self.client_address[0], outcome.code,
                         outcome.reason)
        return [o.reply for o in outcomes if o.reply]


class HJ212Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: Flask, address: tuple[str, int]):
        self.app = app
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, PacketHandler)


@monitoring_cli.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（对外接收请用 0.0.0.0）")
@click.option("--port", type=int, required=True, help="监听端口")
def listen(host: str, port: int):
    """Receive HJ 212-2017 packets from 数采仪 over TCP."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app, for the threads
    with HJ212Server(app, (host, port)) as server:
        click.echo(f"HJ 212 数据接收已启动：{host}:{server.server_address[1]}", err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


@monitoring_cli.command("judge")
@click.option("--day", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="判定日期（默认昨天）")
def judge(day):
    """Judge one local day: 数据缺失, daily totals, 排放量超许可."""
    from datetime import timedelta

    from app.common.timeutil import today_local
    from app.monitoring.judgement import judge_day

    result = judge_day(day.date() if day else today_local() - timedelta(days=1))
    db.session.commit()
    click.echo(f"{result['day']}：数据缺失{result['missing_episodes']}段，日排放量{result['totals']}项，"
               f"超许可{result['over_permit']}项")


@monitoring_cli.command("demo-packet")
@click.option("--nox", type=float, default=520.0, show_default=True, help="氮氧化物小时均值（mg/m³）")
@click.option("--hours-ago", type=int, default=0, show_default=True, help="数据时间：几小时前的整点（0：本小时）")
def demo_packet(nox: float, hours_ago: int):
    """Print an hourly packet from the demo device (MN 23010200000001), to POST to /api/monitoring/hj212."""
    from datetime import timedelta

    from app.common.timeutil import now_local
    from app.monitoring.demo import demo_packet as packet

    at = now_local().replace(tzinfo=None, minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)
    click.echo(packet(at, nox), nl=False)


def init_cli(app: Flask) -> None:
    app.cli.add_command(monitoring_cli)
