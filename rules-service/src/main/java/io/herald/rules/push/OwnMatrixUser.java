package io.herald.rules.push;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the per-user Matrix APIs ({@code /v1/users/{userId}/…}): {@link OwnMatrixUserFilter} lets a Matrix user at
 * their own {@code {userId}} only, and admins of every tenant at anyone's.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OwnMatrixUser {
}
