package io.herald.dispatcher.account;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Body of {@code POST /v1/matrix-accounts}, in one of two forms:
 * <ul>
 * <li>an access token obtained elsewhere: {@code homeserver} and {@code access_token} (optionally the password, kept
 * encrypted, to log in again when the homeserver answers {@code M_UNKNOWN_TOKEN});</li>
 * <li>a password login: {@code user_id} and {@code password}, {@code homeserver} optional (discovered from the user
 * id's domain); the password is kept only with {@code relogin: true}.</li>
 * </ul>
 */
@AccountRequest.Complete
public record AccountRequest(
        @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9._~-]{1,128}",
                message = "must be 1-128 characters of A-Z a-z 0-9 . _ ~ -") String id,
        @Pattern(regexp = "https?://[^\\s/?#]+(/[^\\s?#]*)?",
                message = "must be the homeserver's http(s) base URL") @Size(max = 2048) String homeserver,
        @JsonProperty("access_token") @Size(max = 4096) String accessToken,
        @JsonProperty("user_id") @Pattern(regexp = "@[^:\\s]+:[^\\s]+", message = "must be a Matrix user id like @bot:example.org")
        @Size(max = 255) String userId,
        @JsonProperty("device_id") @Pattern(regexp = "[A-Za-z0-9._~-]{1,255}", message = "must be a device id")
        String deviceId,
        @Size(max = 1024) String password,
        Boolean relogin) {

    /** A password is kept only for re-login, which needs the user id. */
    @jakarta.validation.constraints.AssertTrue(message = "a password needs user_id (it is used to log in again)")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isPasswordUsable() {
        return password == null || userId != null;
    }

    /** No token given: Herald logs in with the password. */
    boolean passwordLogin() {
        return accessToken == null || accessToken.isBlank();
    }

    boolean keepPassword() {
        return password != null && (!passwordLogin() || Boolean.TRUE.equals(relogin));
    }

    @Override
    public String toString() {
        return "AccountRequest[id=" + id + ", homeserver=" + homeserver + ", user_id=" + userId + "]";
    }

    /** Either {@code homeserver} + {@code access_token}, or {@code user_id} + {@code password}. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = CompleteValidator.class)
    public @interface Complete {
        String message() default "incomplete account";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static class CompleteValidator implements ConstraintValidator<Complete, AccountRequest> {
        @Override
        public boolean isValid(AccountRequest r, ConstraintValidatorContext context) {
            if (r == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean valid = true;
            if (!r.passwordLogin()) {
                if (r.homeserver() == null || r.homeserver().isBlank()) {
                    valid = violation(context, "homeserver", "is required with access_token");
                }
            } else if (r.password() == null || r.password().isEmpty()) {
                valid = violation(context, "accessToken", "is required (or user_id and password to log in)");
            } else if (r.userId() == null) {
                valid = violation(context, "userId", "is required to log in with a password");
            }
            return valid;
        }

        private static boolean violation(ConstraintValidatorContext context, String property, String message) {
            context.buildConstraintViolationWithTemplate(message).addPropertyNode(property).addConstraintViolation();
            return false;
        }
    }
}
