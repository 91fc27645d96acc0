package io.herald.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Matrix-compatible resource: its authentication and authorization denials are Matrix errors
 * ({@code M_MISSING_TOKEN}, {@code M_UNKNOWN_TOKEN}, {@code M_FORBIDDEN}) instead of problem details.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MatrixApi {
}
