package com.runbook.engine.dryrun;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.google.pubsub.GooglePubsubEndpoint;
import org.apache.camel.component.mail.MailEndpoint;
import org.apache.camel.component.sql.SqlConstants;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.component.telegram.TelegramConstants;
import org.apache.camel.component.telegram.TelegramEndpoint;
import org.apache.camel.http.common.HttpCommonEndpoint;
import org.apache.camel.util.URISupport;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a send to a remote endpoint in a dry run is: a read the dry run performs (a {@code sql:} SELECT, an S3
 * get/list/head, an HTTP GET or HEAD), an effect the dry run records instead of performing, or a send the dry run
 * has no recorder for (it fails the dry run, naming the endpoint).
 */
final class Sends {
    private Sends() {
    }

    /** The verdict on one send. */
    sealed interface Verdict permits Read, Effect, Unhandled {
    }

    /** A read: the dry run performs it (real reads). */
    record Read() implements Verdict {
    }

    /** An effect: recorded in the plan as {@code kind} / {@code effect}, not performed. */
    record Effect(String kind, String effect) implements Verdict {
    }

    /** A remote send nobody taught the dry run: it fails the dry run with {@code message}. */
    record Unhandled(String message) implements Verdict {
    }

    /** Texts in the plan are kept to this many characters (a subject, a statement). */
    static final int MAX = 300;

    /** aws2-s3 operations that change nothing. */
    private static final Set<String> S3_READS = Set.of("listObjects", "listBuckets", "getObject", "getObjectRange",
            "headBucket", "headObject", "createDownloadLink", "getObjectTagging", "getObjectAcl", "getBucketTagging",
            "getBucketVersioning", "getBucketPolicy");

    /** A statement that only reads: SELECT (or VALUES / a WITH ... SELECT) with no locking or data-changing clause. */
    private static final Pattern SQL_READ = Pattern.compile("^\\s*(select|values|with)\\b.*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SQL_WRITE_WORD = Pattern.compile(
            "\\b(insert|update|delete|merge|upsert|truncate|drop|alter|create|grant|revoke|call|exec|execute|lock|nextval|setval)\\b|\\bfor\\s+(update|share|no\\s+key\\s+update|key\\s+share)\\b",
            Pattern.CASE_INSENSITIVE);

    /** Judges a send of {@code exchange} to {@code endpoint} (the original, remote endpoint). */
    static Verdict of(Endpoint endpoint, Exchange exchange) {
        String uri = masked(endpoint.getEndpointUri());
        if (endpoint instanceof SqlEndpoint sql) {
            return sql(sql, exchange);
        }
        if (endpoint instanceof HttpCommonEndpoint http) {
            String method = httpMethod(http, exchange);
            return method.equals("GET") || method.equals("HEAD") ? new Read()
                    : new Effect("http", method + " " + masked(httpTarget(http, exchange)));
        }
        if (endpoint instanceof MailEndpoint mail) {
            String to = firstNonBlank(exchange.getMessage().getHeader("To", String.class), mail.getConfiguration().getTo());
            String subject = firstNonBlank(exchange.getMessage().getHeader("Subject", String.class),
                    mail.getConfiguration().getSubject());
            return new Effect("email", "email to " + (to == null ? "(no recipient)" : to) + ": subject "
                    + clip(subject == null ? "(none)" : subject));
        }
        if (endpoint instanceof TelegramEndpoint telegram) {
            String chat = firstNonBlank(exchange.getMessage().getHeader(TelegramConstants.TELEGRAM_CHAT_ID, String.class),
                    telegram.getConfiguration().getChatId());
            return new Effect("telegram", "telegram to chat " + (chat == null ? "(default)" : chat) + ": "
                    + clip(text(exchange)));
        }
        if (endpoint instanceof GooglePubsubEndpoint pubsub) {
            return new Effect("pubsub", "pubsub to " + pubsub.getProjectId() + "/" + pubsub.getDestinationName()
                    + ": " + clip(text(exchange)));
        }
        if (endpoint instanceof AWS2S3Endpoint s3) {
            Object op = exchange.getMessage().getHeader(AWS2S3Constants.S3_OPERATION);
            String operation = op != null ? op.toString()
                    : s3.getConfiguration().getOperation() != null ? s3.getConfiguration().getOperation().name() : "putObject";
            if (S3_READS.contains(operation)) {
                return new Read();
            }
            String key = firstNonBlank(exchange.getMessage().getHeader(AWS2S3Constants.KEY, String.class),
                    s3.getConfiguration().getKeyName());
            return new Effect("s3", operation + " s3://" + s3.getConfiguration().getBucketName()
                    + (key == null ? "" : "/" + key));
        }
        if (endpoint instanceof GenericFileEndpoint<?> file) {
            String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
            if (name == null && file.getFileName() != null) {
                name = file.getFileName().evaluate(exchange, String.class);
            }
            return new Effect("file", "write file " + file.getConfiguration().getDirectory()
                    + (name == null ? "" : "/" + name));
        }
        if (scheme(endpoint.getEndpointUri()).equals("exec")) {
            String executable = exchange.getMessage().getHeader("CamelExecCommandExecutable", String.class);
            Object args = exchange.getMessage().getHeader("CamelExecCommandArgs");
            return new Effect("exec", "run " + (executable != null ? executable + (args == null ? "" : " " + args) : uri));
        }
        return new Unhandled("dry run: " + uri + " acts outside the run and has no dry-run recorder (component "
                + scheme(endpoint.getEndpointUri()) + "); it was not called");
    }

    private static Verdict sql(SqlEndpoint sql, Exchange exchange) {
        String query = exchange.getMessage().getHeader(SqlConstants.SQL_QUERY, String.class);
        if (query == null && sql.isUseMessageBodyForSql()) {
            query = exchange.getMessage().getBody(String.class);
        }
        if (query == null) {
            query = sql.getQuery();
        }
        if (isRead(query)) {
            return new Read();
        }
        return new Effect("sql", clip(oneLine(query) + parameters(query, exchange)));
    }

    private static final Pattern SQL_PARAMETER = Pattern.compile(":#([A-Za-z_][A-Za-z0-9_]*)");

    /**
     * The values of a statement's {@code :#name} parameters, from the body (a map; a batch: the first of its maps,
     * and how many) or the headers: {@code " (followerId=7, year=2026)"}, {@code " (batch of 13, first: id=4)"}.
     */
    static String parameters(String query, Exchange exchange) {
        java.util.List<String> names = SQL_PARAMETER.matcher(query).results().map(m -> m.group(1)).distinct().toList();
        if (names.isEmpty()) {
            return "";
        }
        Object body = exchange.getMessage().getBody();
        String batch = "";
        if (body instanceof java.util.Collection<?> rows) {
            batch = "batch of " + rows.size() + (rows.isEmpty() ? "" : ", first: ");
            body = rows.isEmpty() ? null : rows.iterator().next();
        }
        java.util.List<String> values = new java.util.ArrayList<>();
        for (String name : names) {
            Object value = body instanceof java.util.Map<?, ?> map && map.containsKey(name) ? map.get(name)
                    : exchange.getMessage().getHeader(name);
            values.add(name + "=" + value);
        }
        return " (" + batch + (batch.endsWith("batch of 0") ? "" : String.join(", ", values)) + ")";
    }

    /** Whether {@code statement} only reads. */
    static boolean isRead(String statement) {
        return statement != null && SQL_READ.matcher(statement).matches() && !SQL_WRITE_WORD.matcher(statement).find();
    }

    /** The method camel-http uses: the header, else the endpoint's, else POST with a body and GET without. */
    private static String httpMethod(HttpCommonEndpoint http, Exchange exchange) {
        Object header = exchange.getMessage().getHeader(Exchange.HTTP_METHOD);
        if (header != null) {
            return header.toString().toUpperCase(Locale.ROOT);
        }
        if (http.getHttpMethod() != null) {
            return http.getHttpMethod().name();
        }
        return exchange.getMessage().getBody() == null ? "GET" : "POST";
    }

    /** Where camel-http sends: the CamelHttpUri header, else the endpoint's URI, with CamelHttpPath/Query (toD). */
    private static String httpTarget(HttpCommonEndpoint http, Exchange exchange) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        String target = uri != null ? uri : String.valueOf(http.getHttpUri());
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        if (path != null && !path.isBlank()) {
            int q = target.indexOf('?');
            String head = q < 0 ? target : target.substring(0, q);
            target = (head.endsWith("/") ? head : head + "/") + (path.startsWith("/") ? path.substring(1) : path)
                    + (q < 0 ? "" : target.substring(q));
        }
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && !query.isBlank()) {
            target = target + (target.contains("?") ? "&" : "?") + query;
        }
        return target;
    }

    private static String text(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body == null ? "" : oneLine(String.valueOf(body));
    }

    /** The endpoint URI with passwords, tokens and keys masked. */
    static String masked(String uri) {
        return URISupport.sanitizeUri(uri);
    }

    static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return colon < 0 ? uri : uri.substring(0, colon);
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    static String clip(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX - 1) + "…";
    }
}
