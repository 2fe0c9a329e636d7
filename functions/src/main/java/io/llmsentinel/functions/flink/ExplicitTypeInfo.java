package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowInput;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type information of a record type that has its own serializer (fields in a fixed order, no
 * reflection), wherever Flink meets the type: named on the class with {@code @TypeInfo} and one of
 * the factories below.
 */
public final class ExplicitTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final TypeSerializer<T> serializer;

    private ExplicitTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        this.type = type;
        this.serializer = serializer;
    }

    public static final ExplicitTypeInfo<LlmRequest> LLM_REQUEST =
            new ExplicitTypeInfo<>(LlmRequest.class, LlmRequestSerializer.INSTANCE);

    public static final ExplicitTypeInfo<WindowInput> WINDOW_INPUT =
            new ExplicitTypeInfo<>(WindowInput.class, WindowInputSerializer.INSTANCE);

    public static final ExplicitTypeInfo<Observation> OBSERVATION =
            new ExplicitTypeInfo<>(Observation.class, ObservationSerializer.INSTANCE);

    /** Named by {@code @TypeInfo} on {@link Observation}. */
    public static final class ForObservation extends TypeInfoFactory<Observation> {
        @Override
        public TypeInformation<Observation> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return OBSERVATION;
        }
    }

    /** Named by {@code @TypeInfo} on {@link LlmRequest}. */
    public static final class ForLlmRequest extends TypeInfoFactory<LlmRequest> {
        @Override
        public TypeInformation<LlmRequest> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return LLM_REQUEST;
        }
    }

    /** Named by {@code @TypeInfo} on {@link WindowInput}. */
    public static final class ForWindowInput extends TypeInfoFactory<WindowInput> {
        @Override
        public TypeInformation<WindowInput> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return WINDOW_INPUT;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer;
    }

    @Override
    @Deprecated
    public TypeSerializer<T> createSerializer(ExecutionConfig config) {
        return serializer;
    }

    @Override
    public String toString() {
        return type.getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExplicitTypeInfo<?> other && other.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof ExplicitTypeInfo;
    }
}
