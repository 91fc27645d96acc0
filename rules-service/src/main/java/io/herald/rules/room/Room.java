package io.herald.rules.room;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A Herald room: the key producers post to, and the Matrix room (with the account posting there) it is linked to. */
@Entity
@Table(name = "room")
public class Room extends PanacheEntityBase {

    @Id
    @Column(name = "room_key")
    public String key;

    @Column(name = "matrix_room_id")
    public String matrixRoomId;

    /** Id of the dispatcher's Matrix account that posts into {@link #matrixRoomId}. */
    public String account;

    /**
     * Other dispatcher accounts notifications may ask to post as (comma-separated; null: none): an API key's own
     * account, so a room can tell its sources apart.
     */
    @Column(name = "source_accounts")
    public String sourceAccounts;

    /** The tenant owning the room (null: rooms made before tenants existed, seen only by callers of every tenant). */
    public String tenant;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public boolean linkedToMatrix() {
        return matrixRoomId != null && account != null;
    }
}
