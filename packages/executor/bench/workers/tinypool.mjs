// The tinypool worker of the WorkerPool benchmark: the default export computes fib(n) the slow
// way (the CPU-bound task); `echo` returns its argument (the dispatch task).
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2))

export default function(n) {
  return fib(n)
}

export function echo(n) {
  return n
}
