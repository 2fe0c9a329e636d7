package io.llmsentinel.functions.flink;

import java.util.function.IntFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of an explicit state serializer whose bytes have a format version: it records the
 * version in checkpoints and savepoints and checks it on restore. The same version restores as is;
 * an older one this build can read is migrated (Flink reads every value with the old format's
 * serializer and writes it with the current one); anything else, such as a newer format or a
 * version bumped without a migration, is incompatible, so Flink refuses the restore instead of
 * misreading the bytes.
 *
 * <p>The snapshot's own version is the format version. Versions up to {@code legacyUpTo} were
 * written by Flink's {@code SimpleTypeSerializerSnapshot} (no format in them) and mean format 1.
 */
public abstract class VersionedSnapshot<T> implements TypeSerializerSnapshot<T> {
    private final int current;
    private final int oldestReadable;
    private final int legacyUpTo;
    private final IntFunction<TypeSerializer<T>> serializerOfFormat;
    private int format;

    /**
     * @param current the format this build writes
     * @param oldestReadable the oldest format this build can still read
     * @param legacyUpTo snapshot versions that mean format 1 (written before formats were
     *     recorded); 0 if there were none
     * @param serializerOfFormat a serializer that reads (and claims) the given format
     */
    protected VersionedSnapshot(
            int current,
            int oldestReadable,
            int legacyUpTo,
            IntFunction<TypeSerializer<T>> serializerOfFormat,
            int format) {
        this.current = current;
        this.oldestReadable = oldestReadable;
        this.legacyUpTo = legacyUpTo;
        this.serializerOfFormat = serializerOfFormat;
        this.format = format;
    }

    public int format() {
        return format;
    }

    @Override
    public int getCurrentVersion() {
        return legacyUpTo + format;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {}

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader cl)
            throws java.io.IOException {
        if (legacyUpTo > 0 && readVersion <= legacyUpTo) {
            // SimpleTypeSerializerSnapshot of version 3 wrote nothing; version 2 the class name.
            if (readVersion < 3) {
                in.readUTF();
            }
            this.format = 1;
        } else {
            this.format = readVersion - legacyUpTo;
        }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return serializerOfFormat.apply(format);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSnapshot) {
        if (!(oldSnapshot instanceof VersionedSnapshot<T> old)
                || !old.getClass().equals(getClass())) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old.format == format) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        if (format == current && old.format >= oldestReadable && old.format < current) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
