package io.herald.rules.room;

import io.herald.common.Limits;
import io.herald.common.problem.Problem;
import io.herald.security.Callers;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/**
 * The rooms the caller may see: all of them for a caller of every tenant, else those of the caller's tenant. A room of
 * another tenant is answered like one that does not exist (404).
 */
@ApplicationScoped
public class VisibleRooms {

    private final SecurityIdentity caller;

    VisibleRooms(SecurityIdentity caller) {
        this.caller = caller;
    }

    /** The tenant the caller is limited to; empty for a caller of every tenant. */
    public Optional<String> tenant() {
        return Callers.tenant(caller);
    }

    public boolean visible(Room room) {
        return Callers.mayAccess(caller, room.tenant);
    }

    /** The room, or a 404 problem when it does not exist or belongs to another tenant. */
    public Room find(String key) {
        // A key that breaks the room-key rules is no room's (and PostgreSQL cannot compare with a NUL).
        Room room = Limits.roomKeyProblem(key) != null ? null : Room.findById(key);
        if (room == null || !visible(room)) {
            throw Problem.exception(Response.Status.NOT_FOUND, "no room '" + key + "'");
        }
        return room;
    }

    public List<Room> list() {
        Optional<String> tenant = tenant();
        return tenant.isPresent() ? Room.list("tenant", Sort.by("key"), tenant.get()) : Room.listAll(Sort.by("key"));
    }
}
