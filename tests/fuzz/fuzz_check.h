// What the fuzz targets share: a check that aborts (so libFuzzer saves the input) with a message
// naming the broken property, for properties the sanitizers cannot see.
#ifndef ROGATORY_TESTS_FUZZ_FUZZ_CHECK_H_
#define ROGATORY_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

#endif  // ROGATORY_TESTS_FUZZ_FUZZ_CHECK_H_
