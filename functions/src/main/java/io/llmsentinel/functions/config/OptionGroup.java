package io.llmsentinel.functions.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * One component's section of {@code sentinel.yaml}: its options (the {@code public static final
 * ConfigOption} fields of the implementing class, found by reflection so nobody keeps a list of
 * keys by hand) and the checks that span several of them.
 */
public interface OptionGroup {

    /** Every option of this group, in declaration order. */
    default List<ConfigOption<?>> options() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : getClass().getFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m)
                    && Modifier.isFinal(m)
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    out.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    /**
     * Whether {@code key} belongs to this group although it is not one of {@link #options()}: keys
     * with a variable part, such as per-metric settings.
     */
    default boolean acceptsDynamicKey(String key) {
        return false;
    }

    /** Checks that one option's type cannot express; throws {@link ConfigException}. */
    default void validate(SentinelConfig config) {}
}
