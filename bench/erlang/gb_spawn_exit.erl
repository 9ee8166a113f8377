%% Spawn + exit of an empty process. Args: [N].
%% sequential: spawn_monitor, receive the 'DOWN', N times; ns per process.
%% batch: spawn N, then wait until process_count is back; ns per process.
-module(gb_spawn_exit).
-export([run/1]).

run([N]) ->
    T0 = gb:clock(),
    sequential(N),
    Sequential = gb:ns_per(T0, N),
    Base = erlang:system_info(process_count),
    T1 = gb:clock(),
    batch(N),
    gb:wait_processes(Base),
    Batch = gb:ns_per(T1, N),
    [{sequential, Sequential}, {batch, Batch}].

sequential(0) -> ok;
sequential(K) ->
    {_, Ref} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Ref, process, _, _} -> sequential(K - 1) end.

batch(0) -> ok;
batch(K) ->
    spawn(fun() -> ok end),
    batch(K - 1).
