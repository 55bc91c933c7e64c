#include "CAgentSupport.h"
#include <sys/wait.h>

int cas_wifexited(int status) { return WIFEXITED(status); }
int cas_wexitstatus(int status) { return WEXITSTATUS(status); }
int cas_wifsignaled(int status) { return WIFSIGNALED(status); }
int cas_wtermsig(int status) { return WTERMSIG(status); }
