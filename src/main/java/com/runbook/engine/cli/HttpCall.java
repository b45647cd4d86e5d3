package com.runbook.engine.cli;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request on its own connection ({@code Connection: close}), for a command that makes one or a few calls
 * and exits. Neither {@code java.net.http.HttpClient} nor {@code HttpURLConnection}: the first sets up TLS (its
 * default {@code SSLContext}, the trust store: some 450 classes) even for {@code http://}, the second looks its
 * protocol handler up through {@code ServiceLoader}, which opens every jar of the class path (the engine's 213), and
 * retries a POST whose answer does not come. Direct (no proxy, as before); {@code https://} through the JDK's
 * {@code SSLSocket} with its default trust and host name check.
 */
final class HttpCall {
    /** The connection could not be made (refused, unknown host, or no answer to the connect within its timeout). */
    static final class NoConnection extends IOException {
        NoConnection(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    record Answer(int status, String body) {
    }

    private HttpCall() {
    }

    /**
     * Sends {@code method uri} with the given header lines ({@code "Name: value"}) and body (or none), and reads the
     * whole answer. A read that waits longer than {@code answerTimeoutMs} throws {@link java.net.SocketTimeoutException}.
     */
    static Answer exchange(URI uri, String method, String[] headers, byte[] body, int connectTimeoutMs,
                           int answerTimeoutMs) throws IOException {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("unsupported URI " + uri);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        String address = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Socket socket = new Socket();
        try {
            try {
                InetSocketAddress to = new InetSocketAddress(address, port);
                if (to.isUnresolved()) {
                    throw new java.net.UnknownHostException(host);
                }
                socket.connect(to, connectTimeoutMs);
            } catch (IOException e) {
                throw new NoConnection(e);
            }
            socket.setSoTimeout(answerTimeoutMs);
            socket.setTcpNoDelay(true);
            Socket channel = socket;
            if (tls) {
                SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, address, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                channel = secure;
            }
            StringBuilder request = new StringBuilder();
            String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(uri.getPort() == -1 ? "" : ":" + port).append("\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            if (body != null) {
                request.append("Content-Length: ").append(body.length).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = channel.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(new BufferedInputStream(channel.getInputStream()), method);
        } finally {
            socket.close();
        }
    }

    private static Answer read(InputStream in, String method) throws IOException {
        while (true) {
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP answer: " + shorten(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP answer: " + shorten(statusLine));
            }
            long length = -1;
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                }
            }
            if (status >= 100 && status < 200) {
                continue;   // an interim answer (100 Continue, 103 Early Hints): the real one follows
            }
            if (method.equals("HEAD") || status == 204 || status == 304) {
                return new Answer(status, "");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (chunked) {
                for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
                    copy(in, bytes, size);
                    line(in);   // the CRLF after the chunk
                }
                for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                    // trailers: none the engine sends, none the command needs
                }
            } else if (length >= 0) {
                copy(in, bytes, length);
            } else {
                in.transferTo(bytes);   // no length: the body ends with the connection
            }
            return new Answer(status, bytes.toString(StandardCharsets.UTF_8));
        }
    }

    private static long chunkSize(InputStream in) throws IOException {
        String line = line(in);
        int extension = line.indexOf(';');
        try {
            return Long.parseLong((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size in the answer: " + shorten(line));
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream to, long count) throws IOException {
        byte[] buffer = new byte[8192];
        while (count > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
            if (n < 0) {
                throw new EOFException("the answer ended early");
            }
            to.write(buffer, 0, n);
            count -= n;
        }
    }

    /** One header line without its CRLF (ISO-8859-1, as HTTP/1.1 headers are). */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                if (line.length() == 0) {
                    throw new EOFException("the engine closed the connection without an answer");
                }
                break;
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
