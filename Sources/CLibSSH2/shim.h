#ifndef ROLLOUT_CLIBSSH2_SHIM_H
#define ROLLOUT_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>

// libssh2 exposes many entry points as C macros, which Swift cannot import.
// These prefixed wrappers make them callable; add one here when SSHClient needs another.

static inline LIBSSH2_SESSION *rollout_ssh2_session_init(void) {
    return libssh2_session_init();
}

static inline LIBSSH2_CHANNEL *rollout_ssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_session(session);
}

static inline int rollout_ssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_exec(channel, command);
}

static inline ssize_t rollout_ssh2_channel_read(LIBSSH2_CHANNEL *channel, char *buf, size_t len) {
    return libssh2_channel_read(channel, buf, len);
}

static inline ssize_t rollout_ssh2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buf, size_t len) {
    return libssh2_channel_read_stderr(channel, buf, len);
}

static inline ssize_t rollout_ssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buf, size_t len) {
    return libssh2_channel_write(channel, buf, len);
}

static inline int rollout_ssh2_userauth_publickey_fromfile(
    LIBSSH2_SESSION *session, const char *user, const char *publickey, const char *privatekey,
    const char *passphrase) {
    return libssh2_userauth_publickey_fromfile(session, user, publickey, privatekey, passphrase);
}

#endif
