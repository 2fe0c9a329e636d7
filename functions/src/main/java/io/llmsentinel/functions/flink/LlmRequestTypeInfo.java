package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.LlmRequest;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type information of {@link LlmRequest}: its explicit {@link LlmRequestSerializer}, wherever
 * Flink meets the type (named on the class with {@code @TypeInfo}).
 */
public final class LlmRequestTypeInfo extends TypeInformation<LlmRequest> {
    private static final long serialVersionUID = 1L;

    public static final LlmRequestTypeInfo INSTANCE = new LlmRequestTypeInfo();

    /** Named by {@code @TypeInfo} on {@link LlmRequest}. */
    public static final class Factory extends TypeInfoFactory<LlmRequest> {
        @Override
        public TypeInformation<LlmRequest> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
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
    public Class<LlmRequest> getTypeClass() {
        return LlmRequest.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<LlmRequest> createSerializer(SerializerConfig config) {
        return LlmRequestSerializer.INSTANCE;
    }

    @Override
    @Deprecated
    public TypeSerializer<LlmRequest> createSerializer(ExecutionConfig config) {
        return LlmRequestSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "LlmRequest";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlmRequestTypeInfo;
    }

    @Override
    public int hashCode() {
        return LlmRequestTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof LlmRequestTypeInfo;
    }
}
