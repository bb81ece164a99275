// The workerpool worker of the WorkerPool benchmark: `fib` computes fib(n) the slow way (the
// CPU-bound task); `echo` returns its argument (the dispatch task).
import workerpool from "workerpool"

const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2))

const echo = (n) => n

workerpool.worker({ fib, echo })
