package io.llmsentinel.functions.control;

import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The detection settings a key gets under the rules in force, and whatever is built from them (a
 * detector), cached per combination of rules: keys under the same rules share one instance, and a
 * key under none gets the configured one. At most {@link #MAX} combinations are kept.
 */
public final class RuleCache<D> {
    static final int MAX = 256;

    private final DetectionSettings base;
    private final List<Metric> metrics;
    private final D plain;
    private final Function<DetectionSettings, D> build;
    private final Map<String, D> built =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, D> e) {
                    return size() > MAX;
                }
            };

    public RuleCache(
            DetectionSettings base, List<Metric> metrics, Function<DetectionSettings, D> build) {
        this.base = base;
        this.metrics = metrics;
        this.build = build;
        this.plain = build.apply(base);
    }

    public D plain() {
        return plain;
    }

    /** What this key gets at t: the plain one unless a rule matches one of its metrics. */
    public D forKey(
            ControlState control,
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            long t) {
        if (control == null || !control.hasRules()) {
            return plain;
        }
        StringBuilder signature = null;
        ControlCommand[] chosen = new ControlCommand[metrics.size()];
        for (int i = 0; i < metrics.size(); i++) {
            ControlCommand rule =
                    control.ruleFor(
                            service,
                            model,
                            provider,
                            operation,
                            environment,
                            metrics.get(i).code(),
                            t);
            if (rule != null) {
                chosen[i] = rule;
                if (signature == null) {
                    signature = new StringBuilder();
                }
                signature
                        .append(i)
                        .append(':')
                        .append(rule.id)
                        .append('@')
                        .append(rule.timeMs)
                        .append(';');
            }
        }
        if (signature == null) {
            return plain;
        }
        return built.computeIfAbsent(
                signature.toString(),
                s -> {
                    DetectionSettings d = base;
                    for (int i = 0; i < chosen.length; i++) {
                        if (chosen[i] != null && base.metrics().containsKey(metrics.get(i))) {
                            Metric m = metrics.get(i);
                            d = d.withMetric(m, base.metrics().get(m).withRule(chosen[i].settings));
                        }
                    }
                    return build.apply(d);
                });
    }
}
