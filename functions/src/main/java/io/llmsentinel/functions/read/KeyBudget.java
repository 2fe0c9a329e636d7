package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.MetricPoint;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounds how many distinct keys (service, model, provider, operation, environment, namespace) one
 * reader lets through, so random model names cannot grow keyed state, InfluxDB series and Redis
 * indexes without limit. A key not seen for {@code idleMs} frees its place.
 *
 * <p>The rule: a request of a new key is <b>folded</b> when its service already has {@code
 * perService} keys (model, provider and operation become {@link #OVERFLOW}: one overflow key per
 * service), or when the reader already has {@code perSubtask} keys (every dimension but the
 * environment becomes {@link #OVERFLOW}: one overflow key in all). The request is still judged,
 * under the overflow key. GenAI metric points obey the same budget as requests (they become window
 * counts of the same keys). Plain Java; one instance per parallel reader, in memory (a restart
 * starts counting again, and the keyed state's TTL clears what is no longer sent).
 */
public final class KeyBudget {
    public static final String OVERFLOW = "__overflow__";

    private final int perSubtask;
    private final int perService;
    private final long idleMs;

    /** Key -> last seen (processing time), oldest access first. */
    private final LinkedHashMap<String, Long> keys = new LinkedHashMap<>(1024, 0.75f, true);

    private final Map<String, Integer> perServiceCount = new HashMap<>();

    public KeyBudget(int perSubtask, int perService, long idleMs) {
        if (perSubtask < 1 || perService < 1 || idleMs < 1) {
            throw new IllegalArgumentException("key limits and the idle time must be positive");
        }
        this.perSubtask = perSubtask;
        this.perService = perService;
        this.idleMs = idleMs;
    }

    /** Admits {@code r}'s key or folds {@code r} into an overflow key; true when it was folded. */
    public boolean admit(LlmRequest r, long nowMs) {
        Fold fold =
                admit(
                        r.service,
                        key(
                                r.service,
                                r.model,
                                r.provider,
                                r.operation,
                                r.environment,
                                r.namespace),
                        nowMs);
        if (fold == Fold.SUBTASK) {
            r.service = OVERFLOW;
            r.namespace = OVERFLOW;
        }
        if (fold != Fold.NONE) {
            r.model = OVERFLOW;
            r.provider = OVERFLOW;
            r.operation = OVERFLOW;
        }
        return fold != Fold.NONE;
    }

    /**
     * Admits a metric point's key or folds the point into an overflow key (its series too, so
     * series state stays bounded as well); true when it was folded.
     */
    public boolean admit(MetricPoint p, long nowMs) {
        Fold fold =
                admit(
                        p.service,
                        key(
                                p.service,
                                p.model,
                                p.provider,
                                p.operation,
                                p.environment,
                                p.namespace),
                        nowMs);
        if (fold == Fold.SUBTASK) {
            p.service = OVERFLOW;
            p.namespace = OVERFLOW;
        }
        if (fold != Fold.NONE) {
            p.model = OVERFLOW;
            p.provider = OVERFLOW;
            p.operation = OVERFLOW;
            p.seriesId =
                    key(p.service, OVERFLOW, OVERFLOW, OVERFLOW, p.environment, p.namespace)
                            + '\u001f'
                            + p.kind;
        }
        return fold != Fold.NONE;
    }

    /** Whether a new key was folded, and how far. */
    private enum Fold {
        NONE,
        SERVICE,
        SUBTASK
    }

    private Fold admit(String serviceName, String key, long nowMs) {
        if (keys.containsKey(key)) {
            keys.put(key, nowMs);
            return Fold.NONE;
        }
        expire(nowMs);
        String service = String.valueOf(serviceName);
        boolean serviceFull = perServiceCount.getOrDefault(service, 0) >= perService;
        boolean subtaskFull = keys.size() >= perSubtask;
        if (!serviceFull && !subtaskFull) {
            keys.put(key, nowMs);
            perServiceCount.merge(service, 1, Integer::sum);
            return Fold.NONE;
        }
        return subtaskFull ? Fold.SUBTASK : Fold.SERVICE;
    }

    public int activeKeys() {
        return keys.size();
    }

    private void expire(long nowMs) {
        Iterator<Map.Entry<String, Long>> it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (nowMs - e.getValue() < idleMs) {
                return; // access order: the rest are newer
            }
            String service = e.getKey().substring(0, e.getKey().indexOf('\u001f'));
            perServiceCount.computeIfPresent(service, (s, n) -> n <= 1 ? null : n - 1);
            it.remove();
        }
    }

    private static String key(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String namespace) {
        return service
                + '\u001f'
                + model
                + '\u001f'
                + provider
                + '\u001f'
                + operation
                + '\u001f'
                + environment
                + '\u001f'
                + namespace;
    }
}
