%% Memory per process waiting in receive. Args: [N].
%% rss: growth of this VM's resident set / N (a fresh VM per run);
%% process_info: process_info(P, memory) of one of them;
%% vm_total: growth of erlang:memory(total) / N.
%% The root keeps no list of them (the Rust runners keep their handles in a
%% vector written before the first reading), only the first pid.
-module(gb_idle_memory).
-export([run/1]).

run([N]) ->
    Ready = counters:new(1, [write_concurrency]),
    erlang:garbage_collect(),
    Rss0 = gb:rss(),
    Total0 = erlang:memory(total),
    First = idle(Ready),
    spawn_idle(Ready, N - 1),
    wait_ready(Ready, N),
    Rss1 = gb:rss(),
    Total1 = erlang:memory(total),
    {memory, Memory} = process_info(First, memory),
    [{rss, (Rss1 - Rss0) / N}, {process_info, Memory},
     {vm_total, (Total1 - Total0) / N}].

idle(Ready) ->
    spawn(fun() -> counters:add(Ready, 1, 1), receive stop -> ok end end).

spawn_idle(_, 0) -> ok;
spawn_idle(Ready, K) ->
    idle(Ready),
    spawn_idle(Ready, K - 1).

wait_ready(Ready, N) ->
    case counters:get(Ready, 1) >= N of
        true -> ok;
        false -> erlang:yield(), wait_ready(Ready, N)
    end.
