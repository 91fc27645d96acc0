package io.herald.dispatcher.account;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A Matrix account Herald posts as. The access token is stored only encrypted (see SecretBox). */
@Entity
@Table(name = "matrix_account")
public class MatrixAccount extends PanacheEntityBase {

    @Id
    public String id;

    /** Client-server API base URL, e.g. {@code https://matrix.example.org}, without a trailing slash. */
    public String homeserver;

    @Column(name = "user_id")
    public String userId;

    /** Fixed per account: Matrix deduplicates transaction ids per device, so retries never post twice. */
    @Column(name = "device_id")
    public String deviceId;

    @Column(name = "access_token_enc")
    public String accessTokenEncrypted;

    /** Encrypted password for automatic re-login after M_UNKNOWN_TOKEN; null when not kept. */
    @Column(name = "password_enc")
    public String passwordEncrypted;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
