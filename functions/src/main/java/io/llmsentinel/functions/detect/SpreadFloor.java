package io.llmsentinel.functions.detect;

import java.io.Serializable;

/**
 * The smallest spread a detector divides by: the larger of an absolute floor and a fraction of the
 * baseline's level. A flat series (zero spread) thus neither silences a detector (dividing by
 * infinity) nor flags every tiny wobble (dividing by zero).
 */
public record SpreadFloor(double absolute, double relative) implements Serializable {

    public double apply(double spread, double level) {
        return Math.max(spread, Math.max(absolute, relative * Math.abs(level)));
    }
}
