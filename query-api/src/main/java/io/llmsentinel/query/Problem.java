package io.llmsentinel.query;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: thrown by handlers, rendered as {@code application/problem+json} with the
 * status, a title, a detail and, for a bad parameter, the parameter's name. Never a stack trace.
 */
public final class Problem extends RuntimeException {
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
}
