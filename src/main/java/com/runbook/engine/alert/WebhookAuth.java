package com.runbook.engine.alert;

import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Request;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Authenticates one webhook request: a bearer token, or an HMAC-SHA256 signature of the raw body with the source's
 * shared secret ({@code X-Hub-Signature-256: sha256=<hex>}, or Grafana's {@code X-Grafana-Alerting-Signature},
 * computed over {@code <timestamp>:<body>} when {@code X-Grafana-Alerting-Signature-Timestamp} is set; a timestamp
 * more than 5 minutes away from now is refused as a replay). Comparisons are constant-time. The scheme of
 * {@code Authorization} is matched in any case (RFC 9110, the API's rule too). Credentials come from the request's own
 * headers only ({@link Request#header}), never from query parameters: a token in a URL ends up in logs.
 */
record WebhookAuth(String token, String secret) {
    private static final String HUB_SIGNATURE = "X-Hub-Signature-256";
    private static final String GRAFANA_SIGNATURE = "X-Grafana-Alerting-Signature";
    private static final String GRAFANA_TIMESTAMP = "X-Grafana-Alerting-Signature-Timestamp";
    private static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

    /** Refuses ({@code UNAUTHENTICATED}) a request whose credentials are missing or wrong; {@code body} is its raw body. */
    void check(Request request, byte[] body, Instant now) {
        String hub = request.header(HUB_SIGNATURE);
        String signature = hub != null ? hub : request.header(GRAFANA_SIGNATURE);
        if (signature != null && secret != null && !secret.isEmpty()) {
            checkSignature(signature, request.header(GRAFANA_TIMESTAMP), body, now);
            return;
        }
        String given = Request.bearer(request.header("Authorization"));
        if (given == null) {
            throw Refused.unauthenticated("missing credentials: send Authorization: Bearer <token> or an HMAC-SHA256"
                    + " signature (" + HUB_SIGNATURE + " or " + GRAFANA_SIGNATURE + ")");
        }
        if (token == null || token.isEmpty() || !equal(given, token)) {
            throw Refused.unauthenticated("invalid bearer token");
        }
    }

    private void checkSignature(String signature, String timestamp, byte[] body, Instant now) {
        byte[] signed = body;
        if (timestamp != null) {
            long seconds;
            try {
                seconds = Long.parseLong(timestamp.trim());
            } catch (NumberFormatException e) {
                throw Refused.unauthenticated("invalid signature timestamp (unix seconds expected)");
            }
            // compared as numbers: Instant.ofEpochSecond(Long.MAX_VALUE) would throw
            if (Math.abs((double) seconds - now.getEpochSecond()) > REPLAY_WINDOW.toSeconds()) {
                throw Refused.unauthenticated("signature timestamp outside the 5 minute window (replay refused)");
            }
            byte[] prefix = (timestamp.trim() + ":").getBytes(StandardCharsets.UTF_8);
            signed = new byte[prefix.length + body.length];
            System.arraycopy(prefix, 0, signed, 0, prefix.length);
            System.arraycopy(body, 0, signed, prefix.length, body.length);
        }
        String given = signature.trim().toLowerCase(Locale.ROOT);
        if (given.startsWith("sha256=")) {
            given = given.substring(7);
        }
        if (!equal(given, sign(secret, signed))) {
            throw Refused.unauthenticated("invalid signature");
        }
    }


    /** HMAC-SHA256 of {@code data} with {@code secret}, lower-case hex. */
    static String sign(String secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
