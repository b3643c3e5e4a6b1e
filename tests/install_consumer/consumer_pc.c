#include <stdio.h>

#include <rvc/rvc.h>

int main(void) {
  printf("rvc %s via pkg-config\n", rvc_version_string());
  return 0;
}
