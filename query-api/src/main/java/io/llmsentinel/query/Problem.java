package io.llmsentinel.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: thrown by handlers, rendered as {@code application/problem+json} with the
 * status, a title, a detail and, for a bad query parameter or body field, its name (member {@code
 * parameter}). Never a stack trace.
 */
public final class Problem extends RuntimeException {
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final String title;
    private final String parameter;

    public Problem(int status, String title, String detail, String parameter) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.parameter = parameter;
    }

    public static Problem badParameter(String parameter, String detail) {
        return new Problem(400, "Bad parameter", detail, parameter);
    }

    /** A field of a JSON body that is missing, unknown, of the wrong type or too long. */
    public static Problem badField(String field, String detail) {
        return new Problem(400, "Bad request body", detail, field);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "Not found", detail, null);
    }

    public int status() {
        return status;
    }

    public Map<String, Object> body(String instance) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "about:blank");
        b.put("title", title);
        b.put("status", status);
        b.put("detail", getMessage());
        if (parameter != null) {
            b.put("parameter", parameter);
        }
        b.put("instance", instance);
        return b;
    }

    /** Writes this problem as the response, with the request's path as its instance. */
    public void writeTo(Context ctx) {
        ctx.status(status).contentType(CONTENT_TYPE);
        try {
            ctx.result(JSON.writeValueAsString(body(ctx.path())));
        } catch (JsonProcessingException e) {
            ctx.result("{\"status\":" + status + "}");
        }
    }
}
