package com.runbook.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The header timeout of one HTTP/1.1 connection, for every request on it: the deadline starts when the connection
 * opens (its first request) and, on a keep-alive connection, at the first byte received after the previous request
 * was read to its end; it ends when the request's headers are complete. Past it the connection is closed. Vert.x
 * (4.5) has no such option (its idle timeout restarts at every byte, so a client sending one header byte at a time
 * could hold a connection for ever), so this watches the connection's Netty pipeline: the raw bytes before the HTTP
 * decoder, the decoded request heads and ends after it. Everything runs on the connection's event loop. (A request
 * whose first bytes come in the same read as the end of the previous request starts its deadline at its next byte; if
 * none comes, the idle timeout closes the connection.)
 */
final class HeaderDeadline {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);
    /** Vert.x's name for the HTTP/1.x request decoder in a server connection's pipeline. */
    private static final String DECODER = "httpDecoder";
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final Channel channel;
    private final long millis;
    private ScheduledFuture<?> timer;
    /** True from the end of a request (and at the start) until the next request's headers are complete. */
    private boolean betweenRequests = true;

    private HeaderDeadline(Channel channel, Duration timeout) {
        this.channel = channel;
        this.millis = timeout.toMillis();
    }

    /** Watches {@code connection} (just accepted; its first request's deadline starts now). */
    static void install(HttpConnection connection, Duration timeout) {
        if (!(connection instanceof ConnectionBase base) || base.channel().pipeline().get(DECODER) == null) {
            // not an HTTP/1.x connection of Vert.x 4.5 (HTTP/2 over TLS): only the idle timeout applies to it
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("A connection ({}) has no HTTP/1.x decoder named {}: the header timeout does not apply to such"
                        + " connections, only the idle timeout", connection.getClass().getSimpleName(), DECODER);
            }
            return;
        }
        watch(base.channel(), timeout);
    }

    /** Watches {@code channel}, whose pipeline has the HTTP/1.x decoder; its first request's deadline starts now. */
    static void watch(Channel channel, Duration timeout) {
        HeaderDeadline deadline = new HeaderDeadline(channel, timeout);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst("runbookHeaderBytes", deadline.new Bytes());
        pipeline.addAfter(DECODER, "runbookHeaderParts", deadline.new Parts());
        if (deadline.channel.eventLoop().inEventLoop()) {
            deadline.arm();
        } else {
            deadline.channel.eventLoop().execute(deadline::arm);
        }
    }

    /** Starts the deadline of the next request, unless it runs or a request is being read. */
    private void arm() {
        if (timer == null && betweenRequests && channel.isActive()) {
            timer = channel.eventLoop().schedule(() -> {
                if (timer != null) {
                    timer = null;
                    channel.close();
                }
            }, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Before the decoder: the first byte between two requests starts the next one's deadline. */
    private final class Bytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (betweenRequests && msg instanceof ByteBuf bytes && bytes.isReadable()
                    && ctx.pipeline().get(DECODER) != null) {
                arm();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }
    }

    /** After the decoder: a request head ends the deadline, the end of the request's body starts the wait for the next. */
    private final class Parts extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                disarm();
                betweenRequests = false;
            }
            if (msg instanceof LastHttpContent) {
                betweenRequests = true;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
