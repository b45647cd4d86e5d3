package com.runbook.engine.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The header deadline on a channel with an HTTP/1.x decoder, in the channel's virtual time: it runs from the
 * connection's opening to its first request's headers, and from the first byte of each later request to its headers;
 * never between requests nor while a body comes in (that is the idle timeout's business).
 */
class HeaderDeadlineTest {
    static final String GET = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    EmbeddedChannel channel;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
        HeaderDeadline.watch(channel, Duration.ofSeconds(1));
    }

    private void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        for (Object decoded; (decoded = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(decoded);
        }
    }

    /** Lets {@code millis} pass and answers whether the channel is still open. */
    private boolean openAfter(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        return channel.isOpen();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheTimeout() {
        assertThat(openAfter(999)).isTrue();
        assertThat(openAfter(1)).isFalse();
    }

    @Test
    void theFirstRequestsHeadersInTimeEndTheDeadlineAndTheConnectionMayThenIdle() {
        assertThat(openAfter(900)).isTrue();
        send(GET);
        assertThat(openAfter(60_000)).as("between requests only the idle timeout applies").isTrue();
    }

    @Test
    void aLaterRequestsDeadlineStartsAtItsFirstByte() {
        send(GET);
        assertThat(openAfter(5_000)).isTrue();
        send("GET /health HT");
        assertThat(openAfter(500)).isTrue();
        send("TP/1.1\r\nHost:");   // bytes keep coming, but the headers do not end
        assertThat(openAfter(499)).isTrue();
        assertThat(openAfter(1)).isFalse();
    }

    @Test
    void aLaterRequestWhoseHeadersEndInTimeKeepsTheConnection() {
        send(GET);
        send("GET /health HT");
        assertThat(openAfter(900)).isTrue();
        send("TP/1.1\r\nHost: x\r\n\r\n");
        assertThat(openAfter(60_000)).isTrue();
    }

    @Test
    void aSlowBodyIsNotCutByTheHeaderTimeoutButTheNextRequestsHeadersAre() {
        send("POST /webhooks/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n");
        send("a");
        assertThat(openAfter(5_000)).as("the body is the idle timeout's business").isTrue();
        send("bcd");
        assertThat(openAfter(5_000)).isTrue();
        send("POST /webhooks/alertmanager HTTP/1.1\r\n");
        assertThat(openAfter(1_000)).isFalse();
    }

    @Test
    void pipelinedRequestsWhoseHeadersAreCompleteKeepTheConnection() {
        send(GET + GET + GET);
        assertThat(openAfter(60_000)).isTrue();
    }
}
