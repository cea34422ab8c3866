// labstore — the command. Thin over the library.
#include <cstdio>

#include "labstore/labstore.h"

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::puts("labstore");
  return 0;
}
